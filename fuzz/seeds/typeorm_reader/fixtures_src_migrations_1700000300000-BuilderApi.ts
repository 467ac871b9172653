import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from "typeorm";

export class BuilderApi1700000300000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.createTable(new Table({
            name: "review",
            columns: [
                { name: "id", type: "int", isPrimary: true, isGenerated: true, generationStrategy: "increment" },
                { name: "product_id", type: "int" },
                { name: "rating", type: "smallint" },
                { name: "body", type: "text", isNullable: true },
            ],
            checks: [{ name: "CHK_review_rating", expression: `"rating" BETWEEN 1 AND 5` }],
        }), true);
        await queryRunner.createForeignKey("review", new TableForeignKey({
            name: "FK_review_product",
            columnNames: ["product_id"],
            referencedTableName: "product",
            referencedColumnNames: ["id"],
            onDelete: "CASCADE",
        }));
        await queryRunner.createIndex("review", new TableIndex({ name: "IDX_review_product", columnNames: ["product_id"] }));
        await queryRunner.addColumn("review", new TableColumn({ name: "created_at", type: "timestamp with time zone", default: "now()" }));
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.dropTable("review");
    }
}
