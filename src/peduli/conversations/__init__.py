"""Two-way chat: WhatsApp, Telegram and SMS conversations with citizens, one inbox per post."""
