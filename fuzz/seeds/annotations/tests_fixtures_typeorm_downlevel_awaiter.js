"use strict";
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    return new (P || (P = Promise))(function (resolve, reject) { resolve(generator.next()); });
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Adds the audit table.
 * @expand-migration: NONE (new table)
 */
module.exports = class AddAudit1700000000004 {
    up(queryRunner) {
        return __awaiter(this, void 0, void 0, function* () {
            yield queryRunner.query("CREATE TABLE audit (id serial PRIMARY KEY)");
            yield queryRunner.createIndex("audit", { name: "IDX_audit_id", columnNames: ["id"] });
        });
    }
    down(queryRunner) {
        return __awaiter(this, void 0, void 0, function* () {
            yield queryRunner.dropTable("audit");
        });
    }
};
