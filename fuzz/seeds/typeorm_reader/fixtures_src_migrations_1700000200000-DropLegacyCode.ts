import { MigrationInterface, QueryRunner } from "typeorm";

// @destructive: DROP COLUMN product.legacy_code (moved to smile_code)
// @expand-migration: AddSmileCode1700000100000
export class DropLegacyCode1700000200000 implements MigrationInterface {
    name = 'DropLegacyCode1700000200000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "product" DROP COLUMN "legacy_code"`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "product" ADD "legacy_code" character varying(32)`);
    }
}
