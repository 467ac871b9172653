import { MigrationInterface, QueryRunner, TableColumn } from "typeorm";

export class ChangeColumn1700000000003 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        // type changes: recreate
        await queryRunner.changeColumn("user", new TableColumn({ name: "age", type: "int" }), new TableColumn({ name: "age", type: "bigint" }));
        // nullability only: in place
        await queryRunner.changeColumn("user", new TableColumn({ name: "email", type: "varchar", length: "255" }), new TableColumn({ name: "email", type: "varchar", length: "255", isNullable: true }));
        // old column by name: unknown
        await queryRunner.changeColumn("user", "nick", new TableColumn({ name: "nickname", type: "varchar" }));
        // length change: recreate, with rename
        await queryRunner.changeColumns("user", [{ oldColumn: new TableColumn({ name: "a", type: "varchar", length: "50" }), newColumn: new TableColumn({ name: "b", type: "varchar", length: "100" }) }]);
        // new stored generated expression: recreate
        await queryRunner.changeColumn("user", new TableColumn({ name: "full", type: "text" }), new TableColumn({ name: "full", type: "text", generatedType: "STORED", asExpression: "first || last" }));
        // new column not readable: unknown
        await queryRunner.changeColumn("user", new TableColumn({ name: "z", type: "int" }), buildColumn());
        // nullable to NOT NULL in place: TypeORM runs SET NOT NULL
        await queryRunner.changeColumn("user", new TableColumn({ name: "email", type: "varchar", isNullable: true }), new TableColumn({ name: "email", type: "varchar" }));
    }

    public async down(queryRunner: QueryRunner): Promise<void> {}
}
