import { MigrationInterface, QueryRunner, Table } from "typeorm";

export class DownOnly1700000000009 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.createTable(new Table({ name: "note", columns: [{ name: "id", type: "int", isPrimary: true }] }));
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.dropTable("note");
    }
}
