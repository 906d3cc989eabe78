from django.urls import path

from tongban.catalog import views

app_name = "catalog"

urlpatterns = [path("preview/<int:pk>/", views.preview, name="preview")]
