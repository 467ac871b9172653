export class AddThing implements MigrationInterface {
    async up(queryRunner: QueryRunner): Promise<void> {}
    async down(queryRunner: QueryRunner): Promise<void> {}
}
