"""Enterprise services (企业服务): questions and answers, one-click reports, law and policy push,
online exams, self-assessment and steward health checks."""
