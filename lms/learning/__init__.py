"""Learning: enrolment, lessons, quiz attempts and progress."""
