from django.urls import path

from tongban.assistant import views

app_name = "assistant"
urlpatterns = [
    path("assistant/", views.chat, name="chat"),
    path("assistant/ask/", views.ask, name="ask"),
    path("assistant/feedback/", views.feedback, name="feedback"),
    path("workbench/assistant/", views.to_improve, name="to-improve"),
]
