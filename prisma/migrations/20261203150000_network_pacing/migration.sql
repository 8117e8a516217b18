-- AlterTable
ALTER TABLE "NetworkConnection" ADD COLUMN "nextRequestAt" DATETIME;
