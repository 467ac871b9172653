import { MigrationInterface, QueryRunner } from "typeorm";

export class Fixed1700000000001 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "users" ADD "x" integer`);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
