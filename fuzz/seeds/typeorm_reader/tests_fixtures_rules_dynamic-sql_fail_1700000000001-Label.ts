import { MigrationInterface, QueryRunner } from "typeorm";

export class Label1700000000001 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`SECURITY LABEL ON TABLE "${process.env.AUDIT_TABLE}" IS 'audited'`);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
