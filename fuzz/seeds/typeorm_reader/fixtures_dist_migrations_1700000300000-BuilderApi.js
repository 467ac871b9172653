"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.BuilderApi1700000300000 = void 0;
const typeorm_1 = require("typeorm");
class BuilderApi1700000300000 {
    async up(queryRunner) {
        await queryRunner.createTable(new typeorm_1.Table({
            name: "review",
            columns: [
                { name: "id", type: "int", isPrimary: true, isGenerated: true, generationStrategy: "increment" },
                { name: "product_id", type: "int" },
                { name: "rating", type: "smallint" },
                { name: "body", type: "text", isNullable: true },
            ],
            checks: [{ name: "CHK_review_rating", expression: `"rating" BETWEEN 1 AND 5` }],
        }), true);
        await queryRunner.createForeignKey("review", new typeorm_1.TableForeignKey({
            name: "FK_review_product",
            columnNames: ["product_id"],
            referencedTableName: "product",
            referencedColumnNames: ["id"],
            onDelete: "CASCADE",
        }));
        await queryRunner.createIndex("review", new typeorm_1.TableIndex({ name: "IDX_review_product", columnNames: ["product_id"] }));
        await queryRunner.addColumn("review", new typeorm_1.TableColumn({ name: "created_at", type: "timestamp with time zone", default: "now()" }));
    }

    async down(queryRunner) {
        await queryRunner.dropTable("review");
    }
}
exports.BuilderApi1700000300000 = BuilderApi1700000300000;
