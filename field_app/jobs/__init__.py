"""Background jobs (后台任务): long work run by a queue, with progress the web can follow."""
