import { MigrationInterface, QueryRunner } from "typeorm";

export class GetTable1700000000016 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        const table = await queryRunner.getTable("order");
        const foreignKey = table.foreignKeys.find((fk) => fk.columnNames.indexOf("customer_id") !== -1);
        await queryRunner.dropForeignKey(table, foreignKey);
        await queryRunner.dropColumn(table, "customer_id");
        await queryRunner.dropIndex(table, table.indices[0]);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {}
}
