import { MigrationInterface, QueryRunner } from "typeorm";
import { addAuditColumns } from "../helpers/audit";

export class Audit1700000000001 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await addAuditColumns(queryRunner, "users");
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
