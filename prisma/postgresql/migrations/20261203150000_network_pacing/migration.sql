-- AlterTable
ALTER TABLE "NetworkConnection" ADD COLUMN "nextRequestAt" TIMESTAMP(3);
