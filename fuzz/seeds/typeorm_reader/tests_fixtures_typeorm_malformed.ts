import { MigrationInterface, QueryRunner } from "typeorm";

export class Malformed1700000000008 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "a" DROP COLUMN "b"`);
        await queryRunner.dropTable("c";
    }

    public async down(queryRunner: QueryRunner): Promise<void> {}
}
