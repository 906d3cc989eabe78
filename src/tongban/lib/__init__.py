"""Small helpers shared by every app; they know nothing of the business."""
