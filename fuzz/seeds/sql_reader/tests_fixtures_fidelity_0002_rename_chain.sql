ALTER TABLE "order" RENAME COLUMN "note" TO "remark";
ALTER TABLE "order" RENAME COLUMN "remark" TO "comment";
ALTER TABLE "customer" ADD COLUMN "phone" varchar(32);
ALTER TABLE "customer" ALTER COLUMN "phone" SET DEFAULT '';
ALTER TABLE order_line RENAME TO order_item;
