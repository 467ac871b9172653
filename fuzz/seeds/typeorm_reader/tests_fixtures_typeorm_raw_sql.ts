import { MigrationInterface, QueryRunner } from "typeorm";

const TABLE = "product";
const COLUMN = `legacy_code`;
const QUALIFIED = "public." + TABLE;

export class RawSql1700000000001 implements MigrationInterface {
    name = 'RawSql1700000000001'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "product" ADD "smile_code" character varying`);
        await queryRunner.query(`
            ALTER TABLE ${QUALIFIED}
                DROP COLUMN "${COLUMN}"
        `);
        const local = 'CREATE INDEX "IDX_a" ON "product" ("smile_code")';
        await queryRunner.query(local);
        await queryRunner.query("UPDATE product SET name = \'it\'\'s\'" + " WHERE id = 1");
        const tenant = getTenant();
        await queryRunner.query(`DROP TABLE ${tenant}.audit`);
        const qr = queryRunner;
        await qr.manager.query('DELETE FROM "session"');
        const { query } = queryRunner;
        await query(["SET lock_timeout = '5s'", 'SELECT 1'].join(";\n"));
        await queryRunner.connection.query(`COMMENT ON TABLE product IS 'x'`, []);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "product" DROP COLUMN "smile_code"`);
    }
}
