/*
 * @destructive: DROP COLUMN product.y
 * @expand-migration: 0003_add_x
 */
ALTER TABLE product DROP COLUMN y
