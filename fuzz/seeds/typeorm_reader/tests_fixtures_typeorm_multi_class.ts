// file header comment
// second line

import { MigrationInterface, QueryRunner } from "typeorm";

/** First one: identity from the class name. */
export class First1700000000005 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX CONCURRENTLY "IDX_x" ON "t" ("x")`);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}

@SomeDecorator()
export class SecondClass implements MigrationInterface {
    name = "Second1700000000006";
    transaction = false as const;

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.dropTable("t");
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}

export class NotAMigration {
    helper() {}
}
