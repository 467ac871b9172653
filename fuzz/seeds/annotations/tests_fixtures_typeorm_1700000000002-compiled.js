"use strict";
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) { return new P(function (resolve) { resolve(); }); };
Object.defineProperty(exports, "__esModule", { value: true });
exports.Compiled1700000000002 = void 0;
// @destructive: DROP TABLE legacy
// @expand-migration: NONE (never read by the app)
class Compiled1700000000002 {
    constructor() {
        this.name = 'Compiled1700000000002';
        this.transaction = false;
    }
    up(queryRunner) {
        return __awaiter(this, void 0, void 0, function* () {
            yield queryRunner.query(`DROP TABLE "legacy"`);
            yield queryRunner.query(`CREATE INDEX CONCURRENTLY "IDX_a" ON "t" ("a")`);
        });
    }
    down(queryRunner) {
        return __awaiter(this, void 0, void 0, function* () { });
    }
}
exports.Compiled1700000000002 = Compiled1700000000002;
module.exports.Second1700000000003 = class Second1700000000003 {
    async up(qr) { await qr.query("TRUNCATE sessions"); }
    async down(qr) {}
};
