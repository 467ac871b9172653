import { MigrationInterface, QueryRunner } from "typeorm";

const TABLE = "product";
const LEGACY = `legacy_code`;

// @destructive: DROP COLUMN product.legacy_code (moved to smile_code)
// @expand-migration: AddSmileCode1699999999999
export class RawSql1700000000000 implements MigrationInterface {
    name = 'RawSql1700000000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "${TABLE}" DROP COLUMN "${LEGACY}"`);
        await queryRunner.query(
            `CREATE TABLE "audit" ("id" SERIAL NOT NULL, "at" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "PK_1" PRIMARY KEY ("id"));
             CREATE INDEX "IDX_audit_at" ON "audit" ("at")`
        );
        await queryRunner.manager.query("DELETE FROM " + TABLE + " WHERE id < 10");
        // migguard-ignore update-without-where: table has 12 rows
        await queryRunner.query(`UPDATE "${this.tableName()}" SET flag = true`);
        await queryRunner.query(buildSql());
        await createAuditTrigger(queryRunner);
        await queryRunner.query('SELECT \'drop table x\'');
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "audit"`);
    }

    private tableName() { return "product"; }
}
