import { MigrationInterface, QueryRunner } from "typeorm";

export class MultiDatabase1700000000015 implements MigrationInterface {
    name = "MultiDatabase1700000000015";

    public async up(queryRunner: QueryRunner): Promise<void> {
        switch (queryRunner.connection.options.type as DatabaseTypeEnum) {
            case DatabaseTypeEnum.sqlite:
            case DatabaseTypeEnum.betterSqlite3:
                await this.sqliteUp(queryRunner);
                break;
            case DatabaseTypeEnum.postgres:
                await this.postgresUp(queryRunner);
                break;
            default:
                throw Error(`Unsupported database: ${queryRunner.connection.options.type}`);
        }
        if (queryRunner.connection.options.type === "sqlite" || queryRunner.connection.options.type === "mysql") {
            await queryRunner.query(`DROP TABLE "temporary_x"`);
        } else {
            await queryRunner.query(`CREATE INDEX "IDX_pg" ON "x" ("a")`);
        }
        if (queryRunner.connection.options.type !== "postgres") {
            return;
        }
        await this.missingHelper(queryRunner);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await this.recurse(queryRunner);
    }

    private async sqliteUp(queryRunner: QueryRunner) {
        await queryRunner.query(`DROP TABLE "user"`);
        await queryRunner.query(`ALTER TABLE "temporary_user" RENAME TO "user"`);
    }

    private async postgresUp(qr: QueryRunner) {
        await qr.query(`ALTER TABLE "user" ADD "age" integer`);
        await this.shared(qr);
    }

    private shared = async (runner: QueryRunner) => {
        await runner.dropColumn("user", "legacy");
    };

    private async recurse(queryRunner: QueryRunner) {
        await this.recurse(queryRunner);
    }
}
