"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Init1700000000000 = void 0;
class Init1700000000000 {
    name = 'Init1700000000000'

    async up(queryRunner) {
        await queryRunner.query(`CREATE TYPE "public"."product_status_enum" AS ENUM('draft', 'active', 'retired')`);
        await queryRunner.query(`CREATE TABLE "customer" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(255) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_fdb2f3ad8115da4c7718109a6eb" UNIQUE ("email"), CONSTRAINT "PK_a7a13f4cacb744524e44dfdad32" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "product" ("id" SERIAL NOT NULL, "name" character varying(200) NOT NULL, "legacy_code" character varying(32), "status" "public"."product_status_enum" NOT NULL DEFAULT 'draft', "price" numeric(12,2) NOT NULL DEFAULT '0', CONSTRAINT "PK_bebc9158e480b949565b4dc7a82" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "order_line" ("order_id" uuid NOT NULL, "line_no" integer NOT NULL, "product_id" integer NOT NULL, "quantity" integer NOT NULL DEFAULT '1', CONSTRAINT "PK_order_line" PRIMARY KEY ("order_id", "line_no"))`);
        await queryRunner.query(`CREATE INDEX "IDX_product_active_name" ON "product" (lower("name")) WHERE status = 'active'`);
        await queryRunner.query(`ALTER TABLE "order_line" ADD CONSTRAINT "FK_order_line_product" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    async down(queryRunner) {
        await queryRunner.query(`DROP TABLE "order_line"`);
        await queryRunner.query(`DROP TABLE "product"`);
        await queryRunner.query(`DROP TABLE "customer"`);
        await queryRunner.query(`DROP TYPE "public"."product_status_enum"`);
    }
}
exports.Init1700000000000 = Init1700000000000;
