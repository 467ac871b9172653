import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Expand step: the new code writes smile_code and reads it with a fallback to
 * legacy_code. CONCURRENTLY cannot run in a transaction, hence `transaction = false`.
 */
export class AddSmileCode1700000100000 implements MigrationInterface {
    name = 'AddSmileCode1700000100000'
    public transaction = false;

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "product" ADD "smile_code" character varying(32)`);
        await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "IDX_product_smile_code" ON "product" ("smile_code")`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_product_smile_code"`);
        await queryRunner.query(`ALTER TABLE "product" DROP COLUMN "smile_code"`);
    }
}
