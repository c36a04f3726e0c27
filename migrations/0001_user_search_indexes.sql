CREATE INDEX `users_name_nocase_idx` ON `users` ("name" COLLATE NOCASE);--> statement-breakpoint
CREATE INDEX `users_surname_nocase_idx` ON `users` (substr("name", instr("name", ' ') + 1) COLLATE NOCASE);
