import { MigrationInterface, QueryRunner } from "typeorm";

export class WidenCode1700000000001 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        // ALTER TYPE keeps the data; changeColumn would drop and re-add the column.
        await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "code" TYPE character varying(64)`);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
