"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DropLegacyCode1700000200000 = void 0;
// @destructive: DROP COLUMN product.legacy_code (moved to smile_code)
// @expand-migration: AddSmileCode1700000100000
class DropLegacyCode1700000200000 {
    constructor() {
        this.name = 'DropLegacyCode1700000200000';
    }
    async up(queryRunner) {
        await queryRunner.query(`ALTER TABLE "product" DROP COLUMN "legacy_code"`);
    }
    async down(queryRunner) {
        await queryRunner.query(`ALTER TABLE "product" ADD "legacy_code" character varying(32)`);
    }
}
exports.DropLegacyCode1700000200000 = DropLegacyCode1700000200000;
