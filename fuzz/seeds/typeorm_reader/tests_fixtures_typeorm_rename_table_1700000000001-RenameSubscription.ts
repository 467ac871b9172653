import { MigrationInterface, QueryRunner } from "typeorm";

export class RenameSubscription1700000000001 implements MigrationInterface {
    name = 'RenameSubscription1700000000001'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.renameTable("subscription", "entity_subscription");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {}
}
