import { MigrationInterface, QueryRunner } from "typeorm";

export class Audit1700000000001 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "users" ADD "created_at" TIMESTAMP NOT NULL DEFAULT now()`);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
