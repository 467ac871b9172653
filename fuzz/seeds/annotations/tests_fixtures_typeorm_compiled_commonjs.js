"use strict";
// @destructive: DROP COLUMN product.legacy_code (moved to smile_code)
// @expand-migration: AddSmileCode1779000000000
Object.defineProperty(exports, "__esModule", { value: true });
exports.DropLegacyCode1779000000001 = void 0;
const typeorm_1 = require("typeorm");
class DropLegacyCode1779000000001 {
    constructor() {
        this.name = 'DropLegacyCode1779000000001';
        this.transaction = false;
    }
    async up(queryRunner) {
        // migguard-ignore drop-column: moved to smile_code in the expand release
        await queryRunner.query(`ALTER TABLE "product" DROP COLUMN "legacy_code"`);
        await queryRunner.dropIndex("product", "IDX_legacy");
        await queryRunner.addColumn("product", new typeorm_1.TableColumn({ name: "flag", type: "boolean", default: !1 }));
    }
    async down(queryRunner) {
        await queryRunner.query(`ALTER TABLE "product" ADD "legacy_code" character varying`);
    }
}
exports.DropLegacyCode1779000000001 = DropLegacyCode1779000000001;
