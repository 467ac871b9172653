import { MigrationInterface, QueryRunner } from "typeorm";

export class Broken1700000000004 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "x"`;
        await queryRunner.query(`DROP TABLE "y"`);
    }
}

export class NoTimestamp implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {}
}
