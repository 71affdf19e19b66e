namespace Ariadne.Server;
