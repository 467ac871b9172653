import { MigrationInterface, QueryRunner } from "typeorm";

export class Init1700000000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "users" ("id" SERIAL PRIMARY KEY, "code" character varying(32))`);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
