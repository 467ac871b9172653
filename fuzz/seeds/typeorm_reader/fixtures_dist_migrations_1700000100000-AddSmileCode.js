"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.AddSmileCode1700000100000 = void 0;
class AddSmileCode1700000100000 {
    constructor() {
        this.name = 'AddSmileCode1700000100000';
        this.transaction = false;
    }
    async up(queryRunner) {
        await queryRunner.query(`ALTER TABLE "product" ADD "smile_code" character varying(32)`);
        await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "IDX_product_smile_code" ON "product" ("smile_code")`);
    }
    async down(queryRunner) {
        await queryRunner.query(`DROP INDEX "IDX_product_smile_code"`);
        await queryRunner.query(`ALTER TABLE "product" DROP COLUMN "smile_code"`);
    }
}
exports.AddSmileCode1700000100000 = AddSmileCode1700000100000;
