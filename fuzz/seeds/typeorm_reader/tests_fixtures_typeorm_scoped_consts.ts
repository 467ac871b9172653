import { MigrationInterface, QueryRunner } from "typeorm";

const SCHEMA = "core";

export class ScopedConsts1700000000011 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        const table = "invoice";
        await queryRunner.query(`ALTER TABLE ${SCHEMA}.${table} ADD "paid" boolean`);
        let counter = "a";
        counter = "b";
        await queryRunner.query(`SELECT ${counter}`);
        {
            const table = "shadowed";
            await queryRunner.query(`TRUNCATE ${table}`);
        }
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        const table = "receipt";
        await queryRunner.query(`ALTER TABLE ${SCHEMA}.${table} DROP COLUMN "paid"`);
    }
}
