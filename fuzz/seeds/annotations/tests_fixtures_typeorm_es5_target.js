"use strict";
var __awaiter = (this && this.__awaiter) || function () {};
var __generator = (this && this.__generator) || function () {};
Object.defineProperty(exports, "__esModule", { value: true });
exports.RemoveNickname1700000000012 = void 0;
var typeorm_1 = require("typeorm");
// @destructive: DROP COLUMN user.nickname (unused since v2)
var RemoveNickname1700000000012 = /** @class */ (function () {
    function RemoveNickname1700000000012() {
        this.name = 'RemoveNickname1700000000012';
        this.transaction = false;
    }
    RemoveNickname1700000000012.prototype.up = function (queryRunner) {
        return __awaiter(this, void 0, void 0, function () {
            return __generator(this, function (_a) {
                switch (_a.label) {
                    case 0: return [4 /*yield*/, queryRunner.query("ALTER TABLE \"user\" DROP COLUMN \"nickname\"")];
                    case 1:
                        _a.sent();
                        return [4 /*yield*/, queryRunner.createIndex("user", new typeorm_1.TableIndex({ name: "IDX_email", columnNames: ["email"], isConcurrent: true }))];
                    case 2:
                        _a.sent();
                        return [2 /*return*/];
                }
            });
        });
    };
    RemoveNickname1700000000012.prototype.down = function (queryRunner) {
        return __awaiter(this, void 0, void 0, function () {
            return __generator(this, function (_a) {
                switch (_a.label) {
                    case 0: return [4 /*yield*/, queryRunner.dropIndex("user", "IDX_email")];
                    case 1:
                        _a.sent();
                        return [2 /*return*/];
                }
            });
        });
    };
    return RemoveNickname1700000000012;
}());
exports.RemoveNickname1700000000012 = RemoveNickname1700000000012;
