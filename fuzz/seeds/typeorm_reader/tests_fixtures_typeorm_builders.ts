import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex, TableForeignKey, TableUnique, TableCheck, TableExclusion, View } from "typeorm";

const priceColumn = new TableColumn({ name: "price", type: "numeric", precision: 10, scale: 2, default: 0 });

export class Builders1700000000002 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.createTable(new Table({
            name: "order",
            columns: [
                { name: "id", type: "int", isPrimary: true, isGenerated: true, generationStrategy: "increment" },
                { name: "uuid", type: "uuid", isGenerated: true, generationStrategy: "uuid", isUnique: true },
                { name: "seq", type: "bigint", isGenerated: true, generationStrategy: "identity" },
                { name: "code", type: "varchar", length: "255", isNullable: true },
                { name: "tags", type: "text", isArray: true, default: "'{}'" },
                { name: "status", type: "enum", enum: ["new", "paid"], default: "'new'" },
                { name: "mood", type: "enum", enum: ["happy"], enumName: "mood_enum" },
                { name: "total", type: "int", generatedType: "STORED", asExpression: "price * 2" },
                { name: "customer_id", type: "int" },
            ],
            indices: [{ name: "IDX_order_code", columnNames: ["code"] }],
            uniques: [new TableUnique({ name: "UQ_order_code", columnNames: ["code"] })],
            checks: [{ expression: `"total" > 0` }],
            foreignKeys: [{ columnNames: ["customer_id"], referencedTableName: "customer", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
        }), true);
        await queryRunner.dropTable("legacy", true);
        await queryRunner.renameTable("order", "orders");
        await queryRunner.addColumn("orders", priceColumn);
        await queryRunner.addColumns("core.orders", [new TableColumn({ name: "a", type: "int", isNullable: true }), { name: "b", type: "text", default: "'x'" }]);
        await queryRunner.dropColumn("orders", "code");
        await queryRunner.dropColumns("orders", ["a", new TableColumn({ name: "b", type: "text" })]);
        await queryRunner.renameColumn("orders", "status", "state");
        await queryRunner.createPrimaryKey("orders", ["id", "uuid"], "PK_orders");
        await queryRunner.updatePrimaryKeys("orders", [new TableColumn({ name: "id", type: "int", isPrimary: true })]);
        await queryRunner.dropPrimaryKey("orders");
        await queryRunner.createUniqueConstraint("orders", new TableUnique({ columnNames: ["uuid"] }));
        await queryRunner.createUniqueConstraints("orders", [{ name: "UQ_x", columnNames: ["x"] }]);
        await queryRunner.dropUniqueConstraint("orders", "UQ_x");
        await queryRunner.dropUniqueConstraints("orders", [new TableUnique({ name: "UQ_y", columnNames: ["y"] })]);
        await queryRunner.createCheckConstraint("orders", new TableCheck({ name: "CHK_total", expression: "total > 0" }));
        await queryRunner.createCheckConstraints("orders", [new TableCheck({ expression: "price >= 0" })]);
        await queryRunner.dropCheckConstraint("orders", "CHK_total");
        await queryRunner.dropCheckConstraints("orders", ["CHK_a"]);
        await queryRunner.createExclusionConstraint("orders", new TableExclusion({ name: "EX_period", expression: "USING gist (period WITH &&)" }));
        await queryRunner.createExclusionConstraints("orders", [new TableExclusion({ expression: "USING gist (room WITH =)" })]);
        await queryRunner.dropExclusionConstraint("orders", "EX_period");
        await queryRunner.dropExclusionConstraints("orders", ["EX_b"]);
        await queryRunner.createForeignKey("orders", new TableForeignKey({ name: "FK_cust", columnNames: ["customer_id"], referencedTableName: "crm.customer", referencedColumnNames: ["id"], onUpdate: "NO ACTION" }));
        await queryRunner.createForeignKeys("orders", [new TableForeignKey({ columnNames: ["shop_id"], referencedSchema: "shop", referencedTableName: "shop", referencedColumnNames: ["id"] })]);
        await queryRunner.dropForeignKey("orders", "FK_cust");
        await queryRunner.dropForeignKeys("orders", [new TableForeignKey({ name: "FK_shop", columnNames: ["shop_id"], referencedTableName: "shop", referencedColumnNames: ["id"] })]);
        await queryRunner.createIndex("orders", new TableIndex({ name: "IDX_state", columnNames: ["state"], isUnique: true, where: `"state" IS NOT NULL`, isConcurrent: true }));
        await queryRunner.createIndices("orders", [new TableIndex({ columnNames: ["a", "b"] }), { name: "IDX_geo", columnNames: ["geo"], isSpatial: true }]);
        await queryRunner.dropIndex("orders", "IDX_state");
        await queryRunner.dropIndices("orders", [new TableIndex({ name: "IDX_geo", columnNames: ["geo"], isConcurrent: true })]);
        await queryRunner.clearTable("orders");
        await queryRunner.createView(new View({ name: "order_view", expression: `SELECT * FROM orders`, materialized: true }));
        await queryRunner.dropView("order_view");
        await queryRunner.createSchema("audit", true);
        await queryRunner.dropSchema("audit", true, true);
        await queryRunner.changeTableComment("orders", "all orders");
        await queryRunner.dropDatabase("shop");
        await queryRunner.clearDatabase();
        const exists = await queryRunner.hasTable("orders");
        console.log(exists, JSON.stringify({ a: 1 }), "x".toUpperCase(), Date.now());
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
    }
}
