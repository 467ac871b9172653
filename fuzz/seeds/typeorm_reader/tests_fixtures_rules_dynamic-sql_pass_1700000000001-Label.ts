import { MigrationInterface, QueryRunner } from "typeorm";

export class Label1700000000001 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        const table = "users";
        // migguard-ignore unparsed-sql: a security label changes no schema object
        await queryRunner.query(`SECURITY LABEL ON TABLE "${table}" IS 'audited'`);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
