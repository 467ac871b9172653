import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from "typeorm";

const priceColumn = new TableColumn({ name: "price", type: "numeric", precision: 12, scale: 2, isNullable: true });

export class Builder1700000000001 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.createTable(new Table({
            name: "order",
            columns: [
                { name: "id", type: "uuid", isPrimary: true, isGenerated: true, generationStrategy: "uuid" },
                { name: "seq", type: "int", isGenerated: true, generationStrategy: "increment" },
                { name: "status", type: "enum", enum: ["pending", "paid"], default: "'pending'" },
                { name: "tags", type: "varchar", length: "50", isArray: true, isNullable: true },
                { name: "customer_id", type: "uuid" },
            ],
            foreignKeys: [{ columnNames: ["customer_id"], referencedTableName: "customer", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
            indices: [{ columnNames: ["status"] }],
        }), true);
        await queryRunner.addColumn("order", priceColumn);
        await queryRunner.createIndex("order", new TableIndex({ name: "IDX_order_price", columnNames: ["price"], where: "price > 0" }));
        await queryRunner.createForeignKey("order", new TableForeignKey({ columnNames: ["customer_id"], referencedTableName: "customer", referencedColumnNames: ["id"] }));
        await queryRunner.changeColumn("order", "price", new TableColumn({ name: "price", type: "numeric", precision: 14, scale: 2 }));
        await queryRunner.changeColumn("order",
            new TableColumn({ name: "note", type: "varchar", length: "100" }),
            new TableColumn({ name: "note", type: "varchar", length: "200" }));
        await queryRunner.changeColumn("order",
            new TableColumn({ name: "note", type: "varchar", length: "200" }),
            new TableColumn({ name: "note", type: "varchar", length: "200", isNullable: true }));
        await queryRunner.renameColumn("order", "note", "remark");
        await queryRunner.dropColumn("order", "legacy");
        await queryRunner.dropTable("old_order", true);
        await queryRunner.renameTable("order", "orders");
        await queryRunner.clearTable("sessions");
        await queryRunner.dropIndex("orders", "IDX_order_price");
        await queryRunner.dropForeignKey("orders", "FK_abc");
        await queryRunner.addColumn("orders", someColumn());
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.dropTable("orders");
    }
}
