import { MigrationInterface, QueryRunner } from "typeorm";

export class ArrowFields1700000000014 implements MigrationInterface {
    name = "ArrowFields1700000000014";

    up = async (queryRunner: QueryRunner): Promise<void> => {
        await queryRunner.dropColumn("user", "nickname");
    };

    down = async qr => qr.query(`ALTER TABLE "user" ADD "nickname" text`);
}
