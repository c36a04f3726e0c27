CREATE INDEX `users_email_domain_idx` ON `users` (substr("email", instr("email", '@')));
