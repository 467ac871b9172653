import { MigrationInterface, QueryRunner } from "typeorm";
import { createAuditTable, tables } from "./helpers";

export class Opaque1700000000007 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await createAuditTable(queryRunner);
        await this.helper(queryRunner);
        await queryRunner.manager.getRepository(User).delete({ active: false });
        await queryRunner.manager.getRepository(User).find();
        let sql = "";
        for (const t of tables) {
            sql += `DROP TABLE ${t};`;
        }
        await queryRunner.query(sql);
        await queryRunner.query(buildSql());
        for (const t of tables) {
            await queryRunner.query(`TRUNCATE ${t}`);
        }
        await Promise.all(tables.map((t) => queryRunner.dropTable(t)));
        await queryRunner.createTable(makeTable());
        await queryRunner.executeMemoryUpSql();
        if (process.env.FAST) {
            try {
                await queryRunner.query(`DROP TABLE "tmp"`);
            } catch (e) {
                console.error(e);
            }
        }
        console.log("done", JSON.stringify([1]));
    }

    private async helper(qr: QueryRunner) {
        await qr.query("DROP TABLE x");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {}
}

export class OpaqueRepo1700000000010 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        const repo = queryRunner.manager.getRepository(User);
        const count = await repo.count();
        await repo.update({}, { active: true });
    }

    public async down(queryRunner: QueryRunner): Promise<void> {}
}

export class BoundQuery1700000000013 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        const q = queryRunner.query.bind(queryRunner);
        await q(`DROP TABLE "bound"`);
        const fn = queryRunner.manager.transaction;
        await fn(async () => {});
    }

    public async down(queryRunner: QueryRunner): Promise<void> {}
}
