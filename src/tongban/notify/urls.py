from django.urls import path

from tongban.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="read"),
    path("preferences/", views.preferences, name="preferences"),
    path("test/", views.send_test, name="test"),
]
