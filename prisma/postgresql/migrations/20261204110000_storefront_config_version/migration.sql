-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "storefrontConfigVersion" INTEGER;
