import { MigrationInterface, QueryRunner } from "typeorm";

export class Subscription1700000000000 implements MigrationInterface {
    name = 'Subscription1700000000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TYPE "public"."subscription_kind_enum" AS ENUM('a', 'b')`);
        await queryRunner.query(`CREATE TABLE "subscription" ("id" SERIAL NOT NULL, "entity" character varying NOT NULL, "kind" "public"."subscription_kind_enum" NOT NULL DEFAULT 'a', "owner" integer, CONSTRAINT "UQ_3b1e7cb6e6a2b2e8f4b2a7e6f1c" UNIQUE ("owner"), CONSTRAINT "PK_8c3e00ebd02103caa1174cd5d9d" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_cb98de07e0868a9951e4d9b353" ON "subscription" ("entity")`);
        await queryRunner.query(`CREATE INDEX "subscription_owner_idx" ON "subscription" ("owner")`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {}
}
