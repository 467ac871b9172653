import { MigrationInterface, QueryRunner, TableColumn } from "typeorm";

export class WidenCode1700000000001 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.changeColumn(
            "users",
            new TableColumn({ name: "code", type: "varchar", length: "32", isNullable: true }),
            new TableColumn({ name: "code", type: "varchar", length: "64", isNullable: true }),
        );
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
