from django.urls import path

from tongban.records import views

app_name = "records"

urlpatterns = [
    path("cases/<int:pk>/capture/", views.capture, name="capture"),
    path("captures/<int:pk>.pdf", views.capture_file, name="file"),
    path("people/<int:pk>/", views.person_archive, name="person"),
]
