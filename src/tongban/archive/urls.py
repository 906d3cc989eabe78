from django.urls import path

from tongban.archive import views

app_name = "archive"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
]
