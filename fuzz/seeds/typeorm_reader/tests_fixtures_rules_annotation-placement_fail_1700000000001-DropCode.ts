// @destructive: DROP COLUMN users.code (no longer read)
// @expand-migration: NONE (the code stopped reading it in release 41)
import { MigrationInterface, QueryRunner } from "typeorm";

export class DropCode1700000000001 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "code"`);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
